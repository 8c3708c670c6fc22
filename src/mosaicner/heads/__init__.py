"""mosaicner.heads"""

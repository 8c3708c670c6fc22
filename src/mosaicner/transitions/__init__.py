"""mosaicner.transitions"""

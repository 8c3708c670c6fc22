"""mosaicner.inference"""

"""mosaicner.training"""

"""mosaicner.schema"""

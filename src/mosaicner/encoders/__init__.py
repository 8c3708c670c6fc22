"""mosaicner.encoders"""

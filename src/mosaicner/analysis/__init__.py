"""mosaicner.analysis"""

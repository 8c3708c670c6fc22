"""mosaicner.models"""

"""mosaicner.cli"""

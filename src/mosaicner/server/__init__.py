"""mosaicner.server"""

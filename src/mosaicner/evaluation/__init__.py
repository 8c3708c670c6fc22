"""mosaicner.evaluation"""

"""Analysers that read an article's text and sentences and write one layer of an Analysis."""

"""Scorers for the analysers against public gold data (PolNeAR quotes, NewsSD voice)."""

"""Experiments and superseded training scripts, kept for the record (see README.md here); not maintained or tested."""

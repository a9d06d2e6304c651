"""Readers of the shipped datasets/ and of the reference word lists (vocabulary, categories, corpus, senses)."""

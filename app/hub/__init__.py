"""The model catalog and downloads.

Rule: the only package that imports huggingface_hub; imports only the edges' errors.
"""

"""The model side: engine, prompts, advice checks, memory, GGUF headers.

Rule: the only package that imports llama_cpp; may import analysis, hub.catalog and the edges' errors.
"""

"""The model side: engine, server backend, prompts, chat formats, advice checks, memory, GGUF headers.

Rule: the only package that imports llama_cpp (base, chat_formats and server never do);
may import analysis, hub.catalog and the edges' errors.
"""

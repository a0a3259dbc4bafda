"""The model side: engine, server backend, prompts, chat formats, advice checks, memory, GGUF headers, synthetic models.

Rule: the only package that imports llama_cpp (base, chat_formats, server, server_pool and served_model never do);
may import analysis, hub.catalog and the edges' errors.
"""

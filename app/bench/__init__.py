"""The llama-bench-style benchmark: sweep plans, per-configuration workers, output formats.

Rule: may import analysis, llm, hub and the edges; --compare and --from-json never load llama_cpp.
"""

"""The deterministic core: documents, text, CV sections, job requirements, the score.

Rule: imports nothing from llm, hub, bench or study, and never loads a model.
"""

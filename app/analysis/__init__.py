"""The deterministic core: documents, text, CV sections, job postings and requirements, matching, the score, the plan.

Rule: imports nothing from llm, hub, bench or study, and never loads a model.
"""

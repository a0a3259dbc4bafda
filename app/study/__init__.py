"""Reproducing the original study: pairs, batch runs, the LLM judge, ratings, evaluation.

Rule: may import every layer below it (analysis, llm, hub, the edges); nothing imports study but scripts and pages.
"""

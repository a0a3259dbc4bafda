"""Serving a team: model-server workers and nginx in front of them, started on this machine.

Rule: runs llama_cpp.server in subprocesses, never imports llama_cpp;
may import hub.catalog, llm's memory estimate and the edges' errors.
"""

"""LLM plumbing shared by the ``openai``, ``nemo`` and ``cascade`` extractors.

client (Instructor over the openai SDK, transport vs validation retries), prompts (fencing
untrusted receipt text), images (tile arithmetic), usage (tokens and cost), concurrency
(one global in-flight limit), batch (``extract_many``). Importing this package pulls in
openai and instructor: the extractors import it only when chosen.
"""

from receiptflow.llm.batch import aextract_many, extract_many

__all__ = ["aextract_many", "extract_many"]

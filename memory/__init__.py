"""Memory and knowledge: the ChromaDB client (files under the data directory, or a server that a
fleet's workers share) and the local embedding model they share, CrewAI's memory storage backend
over ChromaDB, what is remembered of customers (their standing preferences parsed by
`preferences`, which the offline model also reads with) and past resolutions, the knowledge base
index and its retrieval check, and the `memory` / `knowledge` commands.

May import: core.
"""

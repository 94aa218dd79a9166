"""A thin async facade over kubernetes_asyncio."""

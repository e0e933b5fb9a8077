"""Leak incidents: a found file traced to its holder, the holder suspended, a reporting clock."""

"""Bottom-layer helpers that every package (``neurosim``, ``ann``, ``bridge``, ``figures``) may
import; ``common`` imports none of them."""

"""Questions to a producer from its product pages, the producer's answers, and which pairs are published."""

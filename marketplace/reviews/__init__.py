"""Reviews of delivered order lines: a 1-5 rating, text and photos from the buyer, one reply from the producer,
moderation by the program office."""

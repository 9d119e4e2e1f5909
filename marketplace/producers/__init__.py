"""Producers (OCOP "subjects": cooperatives, cooperative groups, enterprises, household businesses).

Owns the producer's legal identity, its verification by the program office and its public shop page.
It does not own products (catalog) or stock (stock).
"""

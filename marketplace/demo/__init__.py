"""The illustrative demo catalogue (flask demo load): its data, generated pictures and the idempotent loader.

Owns nothing in the database of its own: it creates producers, products, certificates, images and
stock through the same models and services as the rest of the app, flagged as demo data.
"""

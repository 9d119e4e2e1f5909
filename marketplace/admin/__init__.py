"""The OCOP program office's home (/admin, admin/views_admin.py): what waits for review.

The program office's screens live with the package that owns their data (producers, catalog, payments,
settlements: views_admin.py each, blueprint <pkg>_admin); admin holds no rules.
"""

"""Back-office screens of the OCOP program office: verifying producers and certificates.

Admin holds no rules: every action calls the owning package's service (producers.services,
catalog.services_manage).
"""

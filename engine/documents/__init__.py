"""Documents a bureau signs and files, drawn from the case data as PDF: the publicity notice, the task book,
the acceptance conclusion and the annual summary.

A document is generated on request (``generate.generate``), stored like an upload (content-addressed in the
upload folder) and attached to its instance by a ``document_generated`` event: each generation is a new
version, earlier versions stay, and who may download one is the access policy's answer for attachments
(``engine.access.policy.attachment_for``). Every document only prints what the audience it is meant for may
see (``kinds.Kind.audience``): the publicity notice the public's fields, the others the parties' fields.
"""

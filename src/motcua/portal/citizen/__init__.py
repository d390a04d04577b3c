"""The citizen's side of the portal: apply online, follow dossiers, keep documents.

``apply`` (find a procedure, fill the e-form in steps, attach documents, submit),
``dossiers`` (dashboard, a dossier's page, supplement, withdraw, rate), ``warehouse``
(my documents), ``drafts`` (applications saved on the server), ``prefill`` (what the
state already holds), ``common`` (who may enter, downloads, uploads).
"""

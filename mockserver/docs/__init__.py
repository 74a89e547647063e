"""The reference generator: ``mockserver docs`` and the mock's ``/docs``.

spec model (:mod:`mockserver.spec`) -> sample requests (:mod:`.calls`), run against a fresh
in-process mock (:mod:`.execute`) -> page records (:mod:`.pages`, :mod:`.views`,
:mod:`.schemas`, :mod:`.samples`) -> HTML and Markdown (:mod:`.render`, :mod:`.trees`,
:mod:`.text`, ``templates/``, ``static/``); :mod:`.build` ties one build together,
:mod:`.cli` and :mod:`.serve` are the two ways in.
"""

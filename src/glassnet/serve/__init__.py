"""The image-search page: upload an image, see its nearest training images by the features a
trained network learned, beside its nearest by raw pixels (``glassnet serve RUN``).

- ``features``: a layer's activations for every training image, computed once and cached.
- ``index``: ``SearchIndex``, exact nearest neighbours in both spaces, and ``open_index``.
- ``codec``: uploads → images (with the server's limits) and images → PNG thumbnails.
- ``app``: the Flask application (the optional extra ``serve``): the JSON API and the page.
- ``messages``: every word the page shows, in English and Persian.

Flask is imported only by ``app.create_app``, so the rest works without the extra.
"""

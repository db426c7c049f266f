"""The project's top layer: the ``neurosim`` command's router (:mod:`pipeline.console`) and the
end-to-end pipeline ``neurosim demo`` (:mod:`pipeline.demo`).

It sits above every package and may import any of them; no package imports it. The layers, from
the bottom (an arrow may only point down; ``tests/test_import_layers.py`` checks it)::

    pipeline            the command router and the demo pipeline
      figures           the lecture's figures
        bridge          ANN -> SNN conversion
          ann  neurosim the NumPy/Keras networks; the biology (neither imports the other)
            common      files, paths, CLI value types
"""

"""The methodology of SPEC.md, with no database and no Django: `calculos` maps SPEC §2–5 to pure
functions over `Decimal`; `resultados` holds the shapes the engine hands to pages, exports, the API
and the `semaforo` command. The bottom layer: every other module may import it, it imports none."""

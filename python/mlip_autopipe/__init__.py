"""The project's Python side, run with the project's venv (MLIP_PYTHON):

  helpers/   the scripts the activities run (pacemaker's dataset, splits and resamples, final metrics,
             candidate scoring, MD exploration, the backend probe)
  demo/      the stand-ins for DFT that the demos label with (the factories) and their shared command line
  analysis/  scripts the benches and tests run to judge a published potential
  common/    what they share: structure conversion, dataset writing, composition classes, committee
             predictions, LAMMPS with ML-PACE

Each script is run by its path (python python/mlip_autopipe/helpers/explore_md.py ...) and imports shared
code as `mlip_autopipe.…`: scripts/setup.sh puts python/ on the venv's path (a .pth file), so no script
edits sys.path. Importing a module has no side effects.
"""

# JupyterLab settings for fork-explorer's tour notebooks.  `./dev.sh explore --lab`
# (python -m explorer.lab) and binder/start put this folder on JUPYTER_CONFIG_PATH,
# next to (not instead of) the reader's own ~/.jupyter.  labconfig/ beside it
# opens the jupytext .md twins as notebooks.
# The contents manager is jupytext's (paired .ipynb/.md), and it saves a tour
# notebook's inputs only and does not mark it changed on open: see
# explorer/lab/contents.py for why.
c.ServerApp.contents_manager_class = "explorer.lab.contents.TourContentsManager"  # noqa: F821

"""The Streamlit layer: the entry point (``streamlit run dashboard/app/main.py``) and the
Streamlit helpers of each page area. The thin pages of ``pages/`` call these helpers.

The only package that imports Streamlit; nothing below it imports it.
"""

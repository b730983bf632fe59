"""interdiction"""

"""cordon"""

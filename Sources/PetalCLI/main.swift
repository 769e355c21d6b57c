print("petal")

# minepy's README example "Classifier based Mutual Information Estimation"
# (tests/test_class_mi/README.md), unchanged but for the import line and a
# shorter setting (3 rho values, 40 epochs) so it runs fast.
import numpy as np
from matplotlib import pyplot as plt
from tqdm import tqdm
from keras_mine.compat import ClassMI

# Net
input_dim = 2
model_params = {"hidden_dim": 50, "afn": "relu", "num_hidden_layers": 3}

mu = np.array([0, 0])
Rho = np.linspace(-0.9, 0.9, 3)
mi_teo = np.zeros(*Rho.shape)
class_mi = np.zeros(*mi_teo.shape)

# Training
batch_size = 300
max_epochs = 40
train_params = {
    "batch_size": batch_size,
    "max_epochs": max_epochs,
    "lr": 1e-3,
    "lr_factor": 0.1,
    "lr_patience": 10,
    "stop_patience": 100,
    "stop_min_delta": 0.01,
    "verbose": False,
}
for i, rho in enumerate(tqdm(Rho)):
    # Generate data
    cov_matrix = np.array([[1, rho], [rho, 1]])
    joint_samples_train = np.random.multivariate_normal(
        mean=mu, cov=cov_matrix, size=(10000, 1)
    )
    X = np.squeeze(joint_samples_train[:, :, 0])
    Z = np.squeeze(joint_samples_train[:, :, 1])

    # Teoric value
    mi_teo[i] = -0.5 * np.log(1 - rho**2)
    # models
    class_mi_model = ClassMI(input_dim, **model_params)
    # Train models
    class_mi_model.fit(X, Z, **train_params)
    # Get mi estimation
    class_mi[i] = class_mi_model.get_mi()

# Plot
fig, ax = plt.subplots(1, 1, sharex=True, sharey=True)
ax.plot(Rho, mi_teo, ".k", label="True mi")
ax.plot(Rho, class_mi, "b", label="Class mi")
ax.legend(loc="upper center")
ax.set_xlabel("rho")
ax.set_ylabel("mi")
ax.set_title("Classification based mutual information")
plt.show()

# A Robo HAT MM1 car: a drive train rcpilot already has, so the output loads in rcpilot.
DRIVE_TRAIN_TYPE = "MM1"
MM1_SERIAL_PORT = "/dev/ttyTHS1"
MM1_STEERING_MID = 1520
CAMERA_TYPE = "CSIC"
IMAGE_W = 224
IMAGE_H = 224
CONTROLLER_TYPE = 'xbox'
USE_JOYSTICK_AS_DEFAULT = True

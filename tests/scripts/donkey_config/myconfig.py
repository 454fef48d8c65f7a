# """
# My CAR CONFIG
#
# This file is read by your car application's manage.py script to change the car
# performance. If desired, all config overrides can be specified here.
# """

# DRIVE_LOOP_HZ = 20
DRIVE_LOOP_HZ = 30
CAMERA_TYPE = "CSIC"
IMAGE_W = 224
IMAGE_H = 224
CAMERA_VFLIP = True
CAMERA_HFLIP = True

# PWM_STEERING_THROTTLE = { ... }
PWM_STEERING_THROTTLE = {
    "PWM_STEERING_PIN": "PCA9685.1:40.1",
    "PWM_STEERING_SCALE": 1.0,
    "PWM_STEERING_INVERTED": False,
    "PWM_THROTTLE_PIN": "PCA9685.1:40.0",
    "PWM_THROTTLE_SCALE": 1.0,
    "PWM_THROTTLE_INVERTED": False,
    "STEERING_LEFT_PWM": 470,
    "STEERING_RIGHT_PWM": 280,
    "THROTTLE_FORWARD_PWM": 480,
    "THROTTLE_STOPPED_PWM": 375,
    "THROTTLE_REVERSE_PWM": 250,
}

CONTROLLER_TYPE = 'ps4'
USE_JOYSTICK_AS_DEFAULT = True
JOYSTICK_MAX_THROTTLE = 0.35
RECORD_DURING_AI = True
AI_THROTTLE_MULT = 1.2
MODEL_PATH = os.path.join(DATA_PATH, "mypilot.h5")

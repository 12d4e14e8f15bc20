import { notifications } from "@mantine/notifications";
import { IconCheck, IconX } from "@tabler/icons-react";

import { IpcError } from "../lib/ipc";

export function notifySuccess(title: string, message: string) {
  notifications.show({ color: "teal", icon: <IconCheck size={18} />, title, message });
}

/** A failed action that has no form field to show it on. */
export function notifyError(title: string, error: unknown) {
  notifications.show({
    color: "red",
    icon: <IconX size={18} />,
    title,
    message: IpcError.from(error).message,
    autoClose: false,
  });
}

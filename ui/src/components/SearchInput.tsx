import { CloseButton, TextInput, type TextInputProps } from "@mantine/core";
import { IconSearch } from "@tabler/icons-react";

export interface SearchInputProps extends Omit<TextInputProps, "value" | "onChange" | "leftSection" | "rightSection"> {
  value: string;
  onChange: (text: string) => void;
}

/** A list's search field: a magnifier, and a button that clears it once something is typed. */
export function SearchInput({ value, onChange, ...props }: SearchInputProps) {
  return (
    <TextInput
      {...props}
      leftSection={<IconSearch size={16} aria-hidden />}
      rightSection={value !== "" ? <CloseButton size="sm" aria-label="Clear search" onClick={() => onChange("")} /> : null}
      value={value}
      onChange={(event) => onChange(event.currentTarget.value)}
    />
  );
}

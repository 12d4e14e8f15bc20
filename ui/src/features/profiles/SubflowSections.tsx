import { Alert, Checkbox, Text, TextInput } from "@mantine/core";
import { DateTimePicker } from "@mantine/dates";
import { IconInfoCircle } from "@tabler/icons-react";
import dayjs from "dayjs";
import { Controller, type UseFormReturn } from "react-hook-form";

import type { Profile } from "../../bindings/profiles";
import { FormSection } from "../../components/FormSection";
import { ActivityEventSettings } from "./ActivityEventSettings";
import type { ProfileFormValues } from "./profileForm";

interface SubflowSectionsProps {
  form: UseFormReturn<ProfileFormValues>;
  profile?: Profile;
  /** The earliest allowed "Analyze user activity from" (RFC 3339). */
  earliest: string;
}

function Subflow({ name }: { name: string }) {
  return <TextInput label="Subflow" value={name} readOnly variant="filled" />;
}

/** The procedure's three subflow sections: download subscriptions, calculate activity, reclaim. */
export function SubflowSections({ form, profile, earliest }: SubflowSectionsProps) {
  const { control, watch } = form;
  const downloadActivity = watch("downloadActivity");
  const name = watch("displayName").trim() || "<Display Name>";
  const willUnpublish = profile?.status === "Published" && profile.downloadActivity && !downloadActivity;

  return (
    <>
      <FormSection title="Download Subscription Subflow">
        <Subflow name="Smartsheet Download Subscriptions" />
        <Checkbox
          label="Download subscriptions"
          description="Selected by default, and you can't clear it: subscriptions are what Seatkeeper tracks."
          checked
          disabled
          readOnly
        />
      </FormSection>

      <FormSection title="Calculate Activity Subflow">
        <Subflow name="Smartsheet Update User Activity" />
        <Controller
          control={control}
          name="downloadActivity"
          render={({ field }) => (
            <Checkbox
              label="Download activity"
              description={`If you clear it, the “Refresh ${name} Events” job isn't created.`}
              checked={field.value}
              onChange={(event) => field.onChange(event.currentTarget.checked)}
              onBlur={field.onBlur}
              ref={field.ref}
            />
          )}
        />
        {willUnpublish && (
          <Alert color="yellow" variant="light" role="status" data-testid="unpublish-warning">
            Saving returns this profile to Draft and deletes its “Refresh {profile.displayName} Events” job. Validate
            the connection and publish the profile again afterwards.
          </Alert>
        )}
        <Controller
          control={control}
          name="analyzeActivityFrom"
          render={({ field, fieldState }) => (
            <DateTimePicker
              label="Analyze user activity from"
              description="From up to 60 days back until now. Events are pulled from this time on, whatever the profile's creation date."
              valueFormat="YYYY-MM-DD HH:mm"
              value={field.value || null}
              onChange={(value) => field.onChange(value ?? "")}
              onBlur={field.onBlur}
              ref={field.ref}
              minDate={dayjs(earliest).toDate()}
              maxDate={new Date()}
              disabled={!downloadActivity}
              error={fieldState.error?.message}
            />
          )}
        />
        <Alert variant="light" color="blue" icon={<IconInfoCircle />} role="note">
          <Text size="sm">
            Detailed event tracking needs Smartsheet's Event Reporting add-on. Without it, user activity falls back to
            each user's last-login date.
          </Text>
        </Alert>
        {profile && <ActivityEventSettings profile={profile} />}
      </FormSection>

      <FormSection title="Reclaim Subscription Subflow">
        <Subflow name="Smartsheet Reclaim Subscription" />
        <Controller
          control={control}
          name="reclaimSubscriptions"
          render={({ field }) => (
            <Checkbox
              label="Reclaim subscriptions"
              description="If you clear it, removal candidates are still created but never reclaimed."
              checked={field.value}
              onChange={(event) => field.onChange(event.currentTarget.checked)}
              onBlur={field.onBlur}
              ref={field.ref}
            />
          )}
        />
      </FormSection>
    </>
  );
}

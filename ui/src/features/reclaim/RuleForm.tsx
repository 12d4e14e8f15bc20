import { Alert, Button, Group, NumberInput, Radio, Stack, Switch, Text, TextInput } from "@mantine/core";
import { zodResolver } from "@hookform/resolvers/zod";
import { IconAlertTriangle, IconInfoCircle } from "@tabler/icons-react";
import { useState } from "react";
import { Controller, useForm } from "react-hook-form";

import type { ReclamationRule } from "../../bindings/reclaim";
import { ErrorAlert } from "../../components/ErrorAlert";
import { FormSection } from "../../components/FormSection";
import { applyFieldError } from "../../lib/formErrors";
import { ACTION_LABELS } from "./format";
import {
  MAX_DAYS_BEFORE_AUTO_RECLAMATION,
  MAX_GRACE_DAYS,
  MAX_THRESHOLD_DAYS,
  RULE_FIELDS,
  ruleFormValues,
  ruleInput,
  type RuleFormValues,
  ruleSchema,
} from "./ruleForm";

interface RuleFormProps {
  rule: ReclamationRule;
  save: (input: ReturnType<typeof ruleInput>) => Promise<ReclamationRule>;
  onSaved: (rule: ReclamationRule) => void;
  onCancel: () => void;
}

/** What deactivating does, said plainly before anyone chooses it. */
export const DEACTIVATE_WARNING =
  "Deactivating a user is more than freeing a seat: they can no longer sign in to Smartsheet at all. Their sheets, " +
  "reports and dashboards stay owned by them (nothing is deleted or transferred), and an admin can reactivate " +
  "them within 30 days; after that they must be removed and invited again. Smartsheet does not document that " +
  "deactivation frees a paid seat. Seatkeeper never removes a user from the organization or the plan.";

/** The Reclamation Rule form: the core's ranges checked here first, its field errors shown on the fields. */
export function RuleForm({ rule, save, onSaved, onCancel }: RuleFormProps) {
  const [formError, setFormError] = useState<unknown>(null);
  const {
    control,
    register,
    handleSubmit,
    setError,
    watch,
    formState: { errors, isSubmitting },
  } = useForm<RuleFormValues>({ resolver: zodResolver(ruleSchema), defaultValues: ruleFormValues(rule) });
  const notifyUser = watch("notifyUser");
  const reclaimAction = watch("reclaimAction");
  const autoReclaim = watch("autoReclaim");

  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      onSaved(await save(ruleInput(values)));
    } catch (error) {
      if (!applyFieldError(error, setError, RULE_FIELDS)) setFormError(error);
    }
  });

  const days = (
    name: "lastActivityThresholdDays" | "gracePeriodDays" | "daysBeforeAutoReclamation",
    label: string,
    description: string,
    min: number,
    max: number,
    disabled = false,
  ) => (
    <Controller
      control={control}
      name={name}
      render={({ field }) => (
        <NumberInput
          label={label}
          description={description}
          min={min}
          max={max}
          allowDecimal={false}
          allowNegative={false}
          clampBehavior="none"
          suffix=" days"
          disabled={disabled}
          value={field.value}
          onChange={(value) => field.onChange(typeof value === "number" ? value : value === "" ? "" : Number(value))}
          onBlur={field.onBlur}
          ref={field.ref}
          error={errors[name]?.message}
          maw={460}
        />
      )}
    />
  );

  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack gap="md">
        {!rule.paid && (
          <Alert color="gray" variant="light" icon={<IconInfoCircle />} data-testid="rule-not-paid">
            {rule.modelName} is not a paid model (PROVISIONAL_MEMBER, for example, is free for now): its subscriptions
            are never removal candidates, whatever this rule says.
          </Alert>
        )}
        <FormSection title="Subscription Usage Condition">
          {days(
            "lastActivityThresholdDays",
            "Last activity threshold",
            "Days without activity (events, or the last login where there is no event) before a paid seat becomes a removal candidate. Default 60.",
            1,
            MAX_THRESHOLD_DAYS,
          )}
          {days(
            "gracePeriodDays",
            "Grace period for new accounts",
            "A user who joined within this many days is never a candidate. Default 30.",
            0,
            MAX_GRACE_DAYS,
          )}
          <Controller
            control={control}
            name="active"
            render={({ field }) => (
              <Switch
                label="Active"
                description="Only an active rule produces removal candidates."
                checked={field.value}
                onChange={(event) => field.onChange(event.currentTarget.checked)}
                onBlur={field.onBlur}
              />
            )}
          />
        </FormSection>

        <FormSection title="Notify user">
          <Controller
            control={control}
            name="notifyUser"
            render={({ field }) => (
              <Switch
                label="Notify user"
                description="Tell each user that their seat will be reclaimed unless they ask to keep it. Seatkeeper sends no e-mail: it gives you the list and a ready-to-send message."
                checked={field.value}
                onChange={(event) => field.onChange(event.currentTarget.checked)}
                onBlur={field.onBlur}
              />
            )}
          />
          {days(
            "daysBeforeAutoReclamation",
            "Days before auto-reclamation",
            notifyUser
              ? "A notified user who has not answered within this many days: the candidate becomes Ready."
              : "Used when Notify user is on.",
            1,
            MAX_DAYS_BEFORE_AUTO_RECLAMATION,
            !notifyUser,
          )}
        </FormSection>

        <FormSection title="Reclaim">
          <Controller
            control={control}
            name="reclaimAction"
            render={({ field }) => (
              <Radio.Group label="Reclaim action" value={field.value} onChange={field.onChange}>
                <Stack gap="xs" mt="xs">
                  <Radio
                    value="freeSeat"
                    label={`${ACTION_LABELS.freeSeat} (default)`}
                    description="Paid seat (MEMBER) → CONTRIBUTOR, or GUEST for an external user; on a legacy plan, Licensed sheet creator is cleared. The user keeps their access and their items."
                  />
                  <Radio
                    value="deactivate"
                    label={ACTION_LABELS.deactivate}
                    description="The user can no longer sign in. Reversible within 30 days."
                  />
                </Stack>
              </Radio.Group>
            )}
          />
          {reclaimAction === "deactivate" && (
            <Alert color="orange" variant="light" icon={<IconAlertTriangle />} title="Deactivate the user" data-testid="deactivate-warning">
              {DEACTIVATE_WARNING}
            </Alert>
          )}
          <Controller
            control={control}
            name="autoReclaim"
            render={({ field }) => (
              <Switch
                label="Automatic reclaim"
                description="Off by default. When on, this rule's Ready candidates are reclaimed without your review — through the same reclaim job, the same checks just before each write, and the same audit log as a reclaim you confirm."
                checked={field.value}
                onChange={(event) => field.onChange(event.currentTarget.checked)}
                onBlur={field.onBlur}
                error={errors.autoReclaim?.message}
              />
            )}
          />
          {autoReclaim && (
            <Text size="sm" c="orange" data-testid="auto-reclaim-note">
              Seats of this model will be reclaimed without anyone confirming each one.
            </Text>
          )}
        </FormSection>

        <FormSection title="Cost">
          <Group align="flex-start" gap="md">
            <TextInput
              label="Cost per seat per month"
              description="Used for potential savings until entitlements give the cost. Empty: not known."
              placeholder="e.g. 25.00"
              inputMode="decimal"
              error={errors.monthlyCost?.message}
              w={280}
              {...register("monthlyCost")}
            />
            <TextInput
              label="Currency"
              description="ISO 4217 code"
              placeholder="USD"
              maxLength={3}
              spellCheck={false}
              styles={{ input: { textTransform: "uppercase" } }}
              error={errors.currency?.message}
              w={140}
              {...register("currency")}
            />
          </Group>
        </FormSection>

        {formError !== null && <ErrorAlert title="Could not save the rule" error={formError} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={isSubmitting}>
            Save
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

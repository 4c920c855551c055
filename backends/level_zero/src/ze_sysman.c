/* Sysman (zes_*): clocks, power, energy, temperature. Every entry point is optional: an older loader,
 * a driver without sysman, or ZES_ENABLE_SYSMAN unset before zeInit all leave fields unknown. Core
 * device handles double as sysman handles when ZES_ENABLE_SYSMAN=1 (ze_plugin.c sets it). */
#include <stdio.h>
#include <string.h>

#include "ze_internal.h"

#define ZE_SYSMAN_MAX_DOMAINS 8

static zes_device_handle_t sysman_device(accel_ze_device *dev) {
    return (zes_device_handle_t)dev->device;
}

static zes_pwr_handle_t sysman_first_power_domain(accel_ze_device *dev) {
    const accel_ze_api *api = dev->api;
    if (!api->zesDeviceEnumPowerDomains) return NULL;
    uint32_t n = 0;
    if (api->zesDeviceEnumPowerDomains(sysman_device(dev), &n, NULL) != ZE_RESULT_SUCCESS || n == 0)
        return NULL;
    zes_pwr_handle_t domains[ZE_SYSMAN_MAX_DOMAINS];
    if (n > ZE_SYSMAN_MAX_DOMAINS) n = ZE_SYSMAN_MAX_DOMAINS;
    if (api->zesDeviceEnumPowerDomains(sysman_device(dev), &n, domains) != ZE_RESULT_SUCCESS || n == 0)
        return NULL;
    /* A multi-stack device lists a domain per stack (on a sub-device) beside the whole device's:
     * the energy and the limit of a row are the whole device's. Without zesPowerGetProperties the
     * first one stands (Intel's driver lists the device first). */
    for (uint32_t i = 0; api->zesPowerGetProperties && i < n; i++) {
        zes_power_properties_t props;
        memset(&props, 0, sizeof props);
        props.stype = ZES_STRUCTURE_TYPE_POWER_PROPERTIES;
        if (api->zesPowerGetProperties(domains[i], &props) == ZE_RESULT_SUCCESS && !props.onSubdevice)
            return domains[i];
    }
    return domains[0];
}

double accel_ze_power_limit_w(accel_ze_device *dev) {
    zes_pwr_handle_t power = sysman_first_power_domain(dev);
    if (!power || !dev->api->zesPowerGetLimits) return 0.0;
    zes_power_sustained_limit_t sustained;
    memset(&sustained, 0, sizeof sustained);
    if (dev->api->zesPowerGetLimits(power, &sustained, NULL, NULL) != ZE_RESULT_SUCCESS) return 0.0;
    return sustained.enabled && sustained.power > 0 ? sustained.power / 1000.0 : 0.0; /* mW */
}

static void sysman_frequency(accel_ze_device *dev, accel_device_telemetry *out, int *found) {
    const accel_ze_api *api = dev->api;
    if (!api->zesDeviceEnumFrequencyDomains || !api->zesFrequencyGetState ||
        !api->zesFrequencyGetProperties)
        return;
    uint32_t n = 0;
    if (api->zesDeviceEnumFrequencyDomains(sysman_device(dev), &n, NULL) != ZE_RESULT_SUCCESS) return;
    zes_freq_handle_t domains[ZE_SYSMAN_MAX_DOMAINS];
    if (n > ZE_SYSMAN_MAX_DOMAINS) n = ZE_SYSMAN_MAX_DOMAINS;
    if (n == 0 || api->zesDeviceEnumFrequencyDomains(sysman_device(dev), &n, domains) != ZE_RESULT_SUCCESS)
        return;
    for (uint32_t i = 0; i < n; i++) {
        zes_freq_properties_t props;
        zes_freq_state_t state;
        memset(&props, 0, sizeof props);
        memset(&state, 0, sizeof state);
        props.stype = ZES_STRUCTURE_TYPE_FREQ_PROPERTIES;
        state.stype = ZES_STRUCTURE_TYPE_FREQ_STATE;
        if (api->zesFrequencyGetProperties(domains[i], &props) != ZE_RESULT_SUCCESS ||
            api->zesFrequencyGetState(domains[i], &state) != ZE_RESULT_SUCCESS || state.actual < 0)
            continue;
        if (props.type == ZES_FREQ_DOMAIN_GPU && out->clock_mhz < 0) {
            out->clock_mhz = state.actual;
            const struct {
                uint32_t flag;
                const char *name;
            } reasons[] = {{ZES_FREQ_THROTTLE_REASON_FLAG_AVE_PWR_CAP, "power-cap"},
                           {ZES_FREQ_THROTTLE_REASON_FLAG_BURST_PWR_CAP, "burst-power-cap"},
                           {ZES_FREQ_THROTTLE_REASON_FLAG_CURRENT_LIMIT, "current-limit"},
                           {ZES_FREQ_THROTTLE_REASON_FLAG_THERMAL_LIMIT, "thermal"},
                           {ZES_FREQ_THROTTLE_REASON_FLAG_PSU_ALERT, "psu-alert"},
                           {ZES_FREQ_THROTTLE_REASON_FLAG_SW_RANGE, "sw-range"},
                           {ZES_FREQ_THROTTLE_REASON_FLAG_HW_RANGE, "hw-range"}};
            size_t used = strlen(out->throttle_reasons);
            for (size_t r = 0; r < sizeof reasons / sizeof reasons[0]; r++) {
                if (!(state.throttleReasons & reasons[r].flag)) continue;
                int w = snprintf(out->throttle_reasons + used, sizeof out->throttle_reasons - used,
                                 "%s%s", used ? "," : "", reasons[r].name);
                if (w < 0 || (size_t)w >= sizeof out->throttle_reasons - used) break;
                used += (size_t)w;
            }
            *found = 1;
        } else if (props.type == ZES_FREQ_DOMAIN_MEMORY && out->memory_clock_mhz < 0) {
            out->memory_clock_mhz = state.actual;
            *found = 1;
        }
    }
}

static void sysman_energy(accel_ze_device *dev, accel_device_telemetry *out, int *found) {
    const int has_source = ACCEL_STRUCT_HAS(out, accel_device_telemetry, energy_source);
    zes_pwr_handle_t power = sysman_first_power_domain(dev);
    if (!power || !dev->api->zesPowerGetEnergyCounter) {
        if (has_source)
            snprintf(out->energy_source, sizeof out->energy_source, "none: %s",
                     !dev->api->zesPowerGetEnergyCounter
                         ? "the Level Zero loader has no zesPowerGetEnergyCounter"
                         : "Level Zero sysman lists no power domain for this device");
        return;
    }
    zes_power_energy_counter_t counter;
    memset(&counter, 0, sizeof counter);
    ze_result_t rc = dev->api->zesPowerGetEnergyCounter(power, &counter);
    if (rc != ZE_RESULT_SUCCESS) {
        if (has_source)
            snprintf(out->energy_source, sizeof out->energy_source,
                     "none: zesPowerGetEnergyCounter: %s (0x%x)", accel_ze_result_name(rc),
                     (unsigned)rc);
        return;
    }
    out->energy_j = (double)counter.energy * 1e-6; /* microjoules */
    if (has_source) snprintf(out->energy_source, sizeof out->energy_source, "ze-sysman");
    /* Average power since the previous reading: sysman has no instantaneous power. */
    if (dev->have_energy && counter.timestamp > dev->last_energy_ts_us &&
        counter.energy >= dev->last_energy_uj)
        out->power_w = (double)(counter.energy - dev->last_energy_uj) /
                       (double)(counter.timestamp - dev->last_energy_ts_us);
    dev->have_energy = 1;
    dev->last_energy_uj = counter.energy;
    dev->last_energy_ts_us = counter.timestamp;
    *found = 1;
}

static void sysman_temperature(accel_ze_device *dev, accel_device_telemetry *out, int *found) {
    const accel_ze_api *api = dev->api;
    if (!api->zesDeviceEnumTemperatureSensors || !api->zesTemperatureGetState) return;
    uint32_t n = 0;
    if (api->zesDeviceEnumTemperatureSensors(sysman_device(dev), &n, NULL) != ZE_RESULT_SUCCESS) return;
    zes_temp_handle_t sensors[ZE_SYSMAN_MAX_DOMAINS];
    if (n > ZE_SYSMAN_MAX_DOMAINS) n = ZE_SYSMAN_MAX_DOMAINS;
    if (n == 0 || api->zesDeviceEnumTemperatureSensors(sysman_device(dev), &n, sensors) != ZE_RESULT_SUCCESS)
        return;
    for (uint32_t i = 0; i < n; i++) {
        double t = 0;
        if (api->zesTemperatureGetState(sensors[i], &t) != ZE_RESULT_SUCCESS) continue;
        if (t > out->temperature_c) out->temperature_c = t; /* the hottest sensor limits clocks */
        *found = 1;
    }
}

accel_status accel_ze_device_telemetry(void *opaque, accel_device_telemetry *out) {
    accel_ze_device *dev = opaque;
    out->clock_mhz = out->memory_clock_mhz = out->power_w = out->energy_j = out->temperature_c = -1;
    out->throttle_reasons[0] = '\0';
    int found = 0;
    sysman_frequency(dev, out, &found);
    sysman_energy(dev, out, &found);
    sysman_temperature(dev, out, &found);
    if (!found)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "Level Zero sysman answered nothing (loader without zes entry "
                                    "points, driver without sysman, or ZES_ENABLE_SYSMAN=0)");
    return ACCEL_OK;
}
